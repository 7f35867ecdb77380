# docs/hdf5-schema.md holds, between its GENERATED markers, exactly what print_results_schema
# prints: a field added to the schema and not to the docs (or the reverse) fails here.
# cmake -DTOOL=... -DDOC=... -P check_schema_docs.cmake
execute_process(COMMAND ${TOOL} markdown OUTPUT_VARIABLE generated RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "print_results_schema failed (${rc})")
endif()
file(READ ${DOC} doc)
set(begin "<!-- GENERATED from common/results_schema.h by print_results_schema markdown: do not edit -->")
set(end "<!-- END GENERATED -->")
string(FIND "${doc}" "${begin}" b)
string(FIND "${doc}" "${end}" e)
if(b EQUAL -1 OR e EQUAL -1)
  message(FATAL_ERROR "${DOC}: the GENERATED markers are missing")
endif()
string(LENGTH "${begin}" begin_len)
math(EXPR start "${b} + ${begin_len} + 1")
math(EXPR len "${e} - ${start}")
string(SUBSTRING "${doc}" ${start} ${len} in_doc)
if(NOT in_doc STREQUAL generated)
  file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/hdf5-schema.generated.md "${generated}")
  message(FATAL_ERROR "${DOC} is out of date with common/results_schema.h: replace the text between its "
                      "GENERATED markers with the output of `print_results_schema markdown` "
                      "(written to ${CMAKE_CURRENT_BINARY_DIR}/hdf5-schema.generated.md)")
endif()
message(STATUS "docs match the schema")
