# Lab status and the lesson (ibmig lab status, ibmig train): pure logic over observations of a lab, so they are
# tested without one. Kept out of the lab's CMakeLists (the lab's commands are another file's) by include().
add_library(ibmig_lab_lesson STATIC
  ${CMAKE_CURRENT_LIST_DIR}/lab_observation.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lab_status.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lesson_text.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lesson_progress.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lesson.cpp
  ${CMAKE_CURRENT_LIST_DIR}/running_lab.cpp)
target_include_directories(ibmig_lab_lesson PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(ibmig_lab_lesson PUBLIC ibmig_emulation ibmig_models nlohmann_json::nlohmann_json)
