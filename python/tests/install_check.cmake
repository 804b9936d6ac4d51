# Installs the python component into a staging folder (DESTDIR) and imports odimo from there,
# outside the build tree:  cmake -DBUILD=... -DPYTHON=... -DDEST=... -P install_check.cmake
file(REMOVE_RECURSE ${DEST})
execute_process(COMMAND ${CMAKE_COMMAND} -E env DESTDIR=${DEST} ${CMAKE_COMMAND} --install ${BUILD}
                --component python RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install --component python failed (${rc}):\n${out}${err}")
endif()
file(GLOB_RECURSE init ${DEST}/__init__.py)
list(FILTER init INCLUDE REGEX "/odimo/__init__.py$")
list(LENGTH init found)
if(NOT found EQUAL 1)
  message(FATAL_ERROR "expected one installed odimo/__init__.py under ${DEST}, found: ${init}")
endif()
get_filename_component(package ${init} DIRECTORY)
get_filename_component(site ${package} DIRECTORY)
execute_process(COMMAND ${CMAKE_COMMAND} -E env PYTHONPATH=${site}
                ${PYTHON} -c "import odimo, odimo.torch; assert odimo.__file__.startswith('${site}'); print(odimo.load_soc('diana'))"
                WORKING_DIRECTORY ${DEST} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "odimo.Soc diana")
  message(FATAL_ERROR "the installed odimo does not import (${rc}):\n${out}${err}")
endif()
message(STATUS "installed and imported from ${site}")
