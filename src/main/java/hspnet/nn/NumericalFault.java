package hspnet.nn;

/**
 * The computation itself went wrong: a non-finite loss or gradient, a model that holds NaN, or CPU
 * kernels that fail their start-up check. Not a problem of the input files, but a run must stop
 * on it at once with one line that says where (every main maps it to exit status 1).
 */
public class NumericalFault extends RuntimeException {
  public NumericalFault(String message) {
    super(message);
  }
}
