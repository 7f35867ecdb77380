# Use ccache when it is installed: rebuilds of the LibTorch-heavy sources drop from minutes to seconds.
find_program(LB_CCACHE ccache)
if(LB_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${LB_CCACHE})
  set(CMAKE_C_COMPILER_LAUNCHER ${LB_CCACHE})
endif()
