# tests/docs: every relative link and #anchor in the repository's Markdown files resolves
# (tests/docs/check_links.py; exit status 1 and one line per broken link otherwise).
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME docs/links
         COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tests/docs/check_links.py ${PROJECT_SOURCE_DIR})
set_tests_properties(docs/links PROPERTIES LABELS docs)
