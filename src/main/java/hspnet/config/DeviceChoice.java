package hspnet.config;

/** The {@code device} key: where a run computes (AUTO: CUDA when LibTorch sees a device). */
public enum DeviceChoice implements Choice { AUTO, CPU, CUDA }
