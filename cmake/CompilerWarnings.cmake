# Warnings for our own targets only (LibTorch headers are noisy, so they are included as SYSTEM by Torch's config).
function(lb_set_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
  endif()
endfunction()
