# Turns CUDA on when a CUDA compiler is found, and says so; without one the build goes on with
# the CPU library only (CI machines and users without a toolkit). Sets HGCN_WITH_CUDA.
#
# Architectures: real code for sm_80 (A100) and sm_90 (H100/H200), plus compute_90 PTX that the
# driver compiles for newer GPUs. Override with -DCMAKE_CUDA_ARCHITECTURES=... ; turn CUDA off
# with -DHGCN_CUDA=OFF.
option(HGCN_CUDA "build the CUDA library when a CUDA compiler is found" ON)
set(HGCN_WITH_CUDA OFF)
if(HGCN_CUDA)
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 80-real 90-real 90-virtual)
    endif()
    enable_language(CUDA)
    set(HGCN_WITH_CUDA ON)
    message(NOTICE "hgcn: CUDA ${CMAKE_CUDA_COMPILER_VERSION} for ${CMAKE_CUDA_ARCHITECTURES}")
  else()
    message(NOTICE "hgcn: no CUDA compiler found (nvcc not on PATH, CUDACXX unset): CPU library only")
  endif()
else()
  message(NOTICE "hgcn: CUDA turned off (HGCN_CUDA=OFF): CPU library only")
endif()
