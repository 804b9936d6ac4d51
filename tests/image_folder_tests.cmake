# `--dataset imagefolder:DIR` end to end (label train): folders written at test time by
# make_image_folder (tests/mapper/image_folder_maker.h), one per case, as CTest fixtures.
add_executable(make_image_folder mapper/make_image_folder.cpp)
target_link_libraries(make_image_folder PRIVATE odimo_test_images odimo_options)

set(_folders ${CMAKE_CURRENT_BINARY_DIR}/image_folders)
# odimo_image_folder(name [DEFECT d] [ARGS ...]): fixture `folder_<name>` writes ${_folders}/<name>.
function(odimo_image_folder name)
  cmake_parse_arguments(F "" "DEFECT" "ARGS" ${ARGN})
  add_test(NAME train/make_folder_${name} COMMAND make_image_folder ${_folders}/${name} ${F_DEFECT} ${F_ARGS})
  set_tests_properties(train/make_folder_${name} PROPERTIES LABELS train FIXTURES_SETUP folder_${name})
endfunction()
function(odimo_folder_test name folder)
  odimo_train_test(${name} ${ARGN})
  set_tests_properties(train/${name} PROPERTIES FIXTURES_REQUIRED folder_${folder})
endfunction()

# Training 2 steps on 3 classes of mixed JPEG/PNG 20x24 RGB images, cut to the network's 3x16x16.
odimo_image_folder(good ARGS --png)
odimo_folder_test(imagefolder_train good ARGS --net tiny --input 3x16x16 --dataset imagefolder:${_folders}/good
                  --epochs 1 --steps-per-epoch 2 --batch 4 --val-fraction 0.25 --quiet
                  PASS "on imagefolder/train: 9 train / 3 validation / 6 test images.*test_accuracy")
# A gray network input: the RGB images are converted.
odimo_folder_test(imagefolder_gray good ARGS --net tiny --dataset imagefolder:${_folders}/good --epochs 1
                  --steps-per-epoch 1 --batch 4 --quiet PASS "test_accuracy")
odimo_folder_test(imagefolder_four_channels good ARGS --net tiny --input 4x16x16 --dataset imagefolder:${_folders}/good
                  FAIL "good/train: the network takes 4x16x16 inputs: image folders give 1 .gray. or 3")

# Every broken folder: exit 2, one line naming the file or folder.
foreach(case
    "corrupt|train/class1/img0.jpg: corrupt JPEG"
    "truncated|train/class1/img0.jpg: corrupt or truncated JPEG"
    "truncated-png|train/class1/img1.png: corrupt or truncated PNG"
    "wrong-format|train/class1/img0.jpg: starts with bytes 47 49 46 38: expected a JPEG or PNG image"
    "unsupported|val/class0/extra.bmp: format .bmp: expected a JPEG"
    "empty-class|train/class2: empty class folder"
    "no-train|/train: no such folder .imagefolder:DIR expects"
    "no-val|/val: no such folder"
    "mismatched-classes|mismatched-classes/val: class folders differ from .*/train: only in train: class2. only in val: zebra"
    "no-classes|/train: no class folders, so no images")
  string(REPLACE "|" ";" parts "${case}")
  list(GET parts 0 defect)
  list(GET parts 1 message)
  odimo_image_folder(${defect} DEFECT ${defect} ARGS --png)
  odimo_folder_test(imagefolder_${defect} ${defect} ARGS --net tiny --input 3x16x16
                    --dataset imagefolder:${_folders}/${defect} FAIL "^odimo train: error: [^\n]*${message}")
endforeach()
odimo_train_test(imagefolder_no_dir ARGS --net tiny --dataset imagefolder: FAIL "give the folder")

# The search reads image folders too (random-resized crop + flip while it trains).
odimo_cli_test(search_imagefolder LABEL train ARGS search --soc diana --net tiny --input 3x16x16
               --dataset imagefolder:${_folders}/good --lambda 1 --epochs 0,1,1 --batch 4 --steps-per-epoch 2
               --threads 1 --out ${CMAKE_CURRENT_BINARY_DIR}/search_out/imagefolder PASS "replay .*simulated")
set_tests_properties(train/search_imagefolder PROPERTIES FIXTURES_REQUIRED folder_good
                     FIXTURES_SETUP search_imagefolder_point)
# ...and deploy takes such a point: the folder's centre crop, as the training engine evaluates.
odimo_cli_test(deploy_imagefolder LABEL train ARGS deploy ${CMAKE_CURRENT_BINARY_DIR}/search_out/imagefolder
               --threads 1 --quiet PASS "integer test accuracy")
set_tests_properties(train/deploy_imagefolder PROPERTIES FIXTURES_REQUIRED "folder_good;search_imagefolder_point")

# The loader alone (not a test): images/s of decoding into the cache and of batches.
add_executable(bench_loader mapper/bench_loader.cpp)
target_link_libraries(bench_loader PRIVATE odimo_mapper odimo_test_images odimo_options)
