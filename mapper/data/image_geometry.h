#pragma once
// The geometry of image-folder batches: which box of an image becomes the network
// input (centre crop, random-resized crop) and the resampling of that box to the
// input size. Pure functions of their arguments and of the per-image generator.
#include <cstdint>

namespace odimo::mapper {

// A box of a source image in pixel units (y, x: top-left corner; may be fractional).
struct CropBox {
  double y = 0, x = 0, h = 0, w = 0;
};

// The largest box of aspect oh:ow centred in an h x w image: "resize the shorter side,
// then centre crop" expressed as the box that is resampled.
CropBox centre_box(int h, int w, int oh, int ow);

// The oh x ow box at the centre of an h x w image, integer offsets (a plain centre crop;
// resampled, it copies the pixels). Needs oh <= h, ow <= w.
CropBox centre_crop(int h, int w, int oh, int ow);

// A small generator per image (SplitMix64, Steele et al., OOPSLA 2014): seeded from
// (seed, epoch, index), so a batch's draws never depend on which thread made it or when.
class ImageRng {
 public:
  ImageRng(uint64_t seed, int64_t epoch, int64_t index);
  uint64_t next();
  double uniform();          // [0, 1), 53 bits
  int64_t below(int64_t n);  // [0, n), n >= 1

 private:
  uint64_t m_state;
};

// Scale and aspect-ratio ranges of the random-resized crop (torchvision's RandomResizedCrop
// defaults, the ImageNet recipe of He et al. 2016 / Szegedy et al. 2015).
inline constexpr double kCropMinArea = 0.08, kCropMaxArea = 1.0, kCropMinRatio = 3.0 / 4,
                        kCropMaxRatio = 4.0 / 3;

// RandomResizedCrop's box on an h x w image: up to 10 draws of area fraction in
// [kCropMinArea, kCropMaxArea] and log-uniform aspect w/h in [kCropMinRatio, kCropMaxRatio],
// integer sides and offsets; if none fits, the whole image clamped to the ratio range, centred.
CropBox random_resized_box(int h, int w, ImageRng& rng);

// Resamples `box` of src (h x w x c, HWC bytes) to oh x ow x c floats in [0, 255] with a
// triangle (bilinear) filter widened by the downscale factor, so shrinking averages instead of
// aliasing. Samples outside the image repeat the edge. `mirror`: write columns right to left.
void resample(const uint8_t* src, int h, int w, int c, const CropBox& box, int oh, int ow, bool mirror,
              float* dst);

}  // namespace odimo::mapper
