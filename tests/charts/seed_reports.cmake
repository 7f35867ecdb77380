# Writes the reports the headline-marks and browser tests read: the real analyze on the seed's W&B
# export alone (a headline exists, and faster configurations the headline rules out stand beside
# it) and with the LUMI AI guide's reference table (no headline: every configuration but the
# baseline is ruled out; labels of 120 characters).
#   cmake -DANALYZE=... -DDATA=tests/analysis/data -DREFERENCE=... -DOUT=... -P seed_reports.cmake
file(REMOVE_RECURSE ${OUT})
foreach(_case IN ITEMS export export_and_reference)
  set(_args --wandb-csv ${DATA}/wandb_vit_runs.csv)
  if(_case STREQUAL "export_and_reference")
    list(APPEND _args --reference ${REFERENCE})
  endif()
  execute_process(COMMAND ${ANALYZE} ${_args} --out ${OUT}/${_case} --quiet
                  RESULT_VARIABLE _rc ERROR_VARIABLE _err)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "analyze on the seed data (${_case}) exited ${_rc}: ${_err}")
  endif()
  if(_err MATCHES "not drawn")
    message(FATAL_ERROR "a chart of the seed data (${_case}) was not drawn: ${_err}")
  endif()
endforeach()
