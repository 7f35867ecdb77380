# Use ccache when it is installed: rebuilds of the LibTorch-heavy sources drop from minutes to seconds.
# Objects built with a precompiled header are cacheable only with these sloppiness settings and
# -fpch-preprocess; base_dir makes the cache shared between checkouts of the project.
find_program(LB_CCACHE ccache)
if(LB_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(_lb_ccache ${CMAKE_COMMAND} -E env
      CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
      CCACHE_BASEDIR=${PROJECT_SOURCE_DIR} ${LB_CCACHE})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${_lb_ccache})
  set(CMAKE_C_COMPILER_LAUNCHER ${_lb_ccache})
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-fpch-preprocess>)
  endif()
endif()
