# The layout of the code: mapper/'s rooms include and link only the rooms their layer may
# use (tests/house/layering.py holds the table; the self-test shows it catches violations).
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  add_test(NAME house/layering COMMAND Python3::Interpreter ${CMAKE_CURRENT_SOURCE_DIR}/house/layering.py
                                       ${PROJECT_SOURCE_DIR})
  add_test(NAME house/layering_self_test COMMAND Python3::Interpreter ${CMAKE_CURRENT_SOURCE_DIR}/house/layering.py
                                                 --self-test)
  set_tests_properties(house/layering house/layering_self_test PROPERTIES LABELS unit)
else()
  message(WARNING "no Python 3 interpreter: the house/layering tests are not added")
endif()
