# JNI glue of the JavaCPP bindings (hspnet.kernel.HgcnCpu / HgcnCuda). JavaCPP's Builder only
# generates the C++ during the Maven build (jnijavacpp.cpp + jni<Class>.cpp in HGCN_JNI_DIR); it
# is compiled here, beside the library it calls, so that one tool decides what gets built (the
# CUDA glue exists only where the CUDA library does).
set(HGCN_JNI_DIR "" CACHE PATH "folder of the JavaCPP-generated JNI sources (empty: no JNI glue)")
set(HGCN_JAVA_HOME "$ENV{JAVA_HOME}" CACHE PATH "JDK whose include/jni.h the JNI glue is compiled against")

if(HGCN_JNI_DIR)
  find_path(HGCN_JNI_INCLUDE jni.h HINTS "${HGCN_JAVA_HOME}/include" "${HGCN_JAVA_HOME}/../include"
            PATHS /usr/lib/jvm/default-java/include NO_CMAKE_FIND_ROOT_PATH)
  if(NOT HGCN_JNI_INCLUDE)
    message(FATAL_ERROR "hgcn: jni.h not found; pass -DHGCN_JAVA_HOME=<a JDK>")
  endif()
  set(HGCN_JNI_INCLUDES "${HGCN_JNI_INCLUDE}" "${HGCN_JNI_INCLUDE}/linux")
endif()

# hgcn_jni_library(<Class> <library target>): libjni<Class>.so next to the library it calls.
function(hgcn_jni_library class target)
  if(NOT HGCN_JNI_DIR)
    return()
  endif()
  set(src "${HGCN_JNI_DIR}/jni${class}.cpp")
  if(NOT EXISTS "${src}")
    message(FATAL_ERROR "hgcn: ${src} is missing: run JavaCPP's Builder first (mvn process-classes)")
  endif()
  # Builder rewrites its files on every Maven build; copies that change only with their content
  # keep an unchanged glue from being compiled again.
  configure_file("${HGCN_JNI_DIR}/jnijavacpp.cpp" "${CMAKE_BINARY_DIR}/jni/jnijavacpp.cpp" COPYONLY)
  configure_file("${src}" "${CMAKE_BINARY_DIR}/jni/jni${class}.cpp" COPYONLY)
  add_library(jni${class} SHARED "${CMAKE_BINARY_DIR}/jni/jnijavacpp.cpp" "${CMAKE_BINARY_DIR}/jni/jni${class}.cpp")
  target_include_directories(jni${class} PRIVATE ${HGCN_JNI_INCLUDES})
  target_link_libraries(jni${class} PRIVATE ${target})
  # JavaCPP's generated code is not warning-free; it is not ours to fix.
  target_compile_options(jni${class} PRIVATE -w)
  get_target_property(dir ${target} LIBRARY_OUTPUT_DIRECTORY)
  # $ORIGIN only: the glue finds its library in the same folder, wherever JavaCPP unpacked them
  set_target_properties(jni${class} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${dir}"
                        BUILD_WITH_INSTALL_RPATH ON INSTALL_RPATH "$ORIGIN")
endfunction()
