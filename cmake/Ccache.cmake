# Use ccache when it is installed: rebuilds of the LibTorch-heavy sources drop from minutes to seconds.
# base_dir makes the cache shared between checkouts of the project and between its build folders
# (the device check's build reuses the cpu preset's objects). The sloppiness: a header written in
# the second before the compile (a fresh clone, a generated header) or a mention of __TIME__ does
# not keep an object out of the cache.
find_program(LB_CCACHE ccache)
if(LB_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(_lb_ccache ${CMAKE_COMMAND} -E env
      CCACHE_SLOPPINESS=time_macros,include_file_mtime,include_file_ctime
      CCACHE_BASEDIR=${PROJECT_SOURCE_DIR} ${LB_CCACHE})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${_lb_ccache})
  set(CMAKE_C_COMPILER_LAUNCHER ${_lb_ccache})
endif()
