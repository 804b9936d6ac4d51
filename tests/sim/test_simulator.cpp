// Properties of the virtual SoC on tiny layers. One Simulator per TEST_CASE
// (each runs in its own process); a test compares configurations by running
// several jobs through the same elaboration.
#include <doctest/doctest.h>

#include "hw/energy.h"
#include "hw/layer_plan.h"
#include "hw/mapping.h"
#include "sim/simulator.h"
#include "tests/sim/helpers.h"

using namespace odimo;
using odimo::test::net_from_text;
using odimo::test::one_conv;
using sim::Job;
using sim::JobResult;

namespace {

Job job(const Layer& l, std::vector<CuShare> shares) {
  return Job{l.name, l, std::move(shares)};
}
CuShare on(const std::string& cu, int channels, int first, Op op) {
  return CuShare{cu, channels, first, op, ""};
}

// FC 512 -> 576: the AIMC needs two column loads for 576 outputs (512 columns),
// one for 512; the digital array does 64 outputs in about the time of one load.
const char* kFc =
    "name: 'fc' input { c: 512 h: 1 w: 1 }\nlayer { name: 'fc' op: 'linear' out_channels: 576 }\n";

}  // namespace

TEST_CASE("splitting a balanced layer across two CUs is faster than either CU alone") {
  Network net = net_from_text(kFc);
  const Layer& l = net.layers[0];
  sim::Simulator s(load_soc("diana"));
  std::vector<JobResult> r =
      s.run({job(l, {on("digital", 576, 0, Op::kLinear)}), job(l, {on("aimc", 576, 0, Op::kLinear)}),
             job(l, {on("digital", 64, 512, Op::kLinear), on("aimc", 512, 0, Op::kLinear)})});
  const int64_t digital = r[0].cycles, aimc = r[1].cycles, split = r[2].cycles;
  MESSAGE("digital " << digital << ", aimc " << aimc << ", split " << split);
  CHECK(r[1].cu[0].weight_loads == 2);
  CHECK(r[2].cu[1].weight_loads == 1);
  CHECK(split < aimc);
  CHECK(split < digital);
  // both CUs really overlap in time
  CHECK(r[2].cu[0].start_cycle < r[2].cu[1].end_cycle);
  CHECK(r[2].cu[1].start_cycle < r[2].cu[0].end_cycle);
}

TEST_CASE("two CUs sharing the L2 port take longer than the slower one alone when both are transfer-bound") {
  // A 2 B/cycle L2 port makes both accelerators wait on transfers.
  SocDescription soc =
      odimo::test::soc_with("diana", "dma { bytes_per_cycle: 2 setup_cycles: 70 burst_bytes: 512 }");
  proto::Soc slow = soc.soc;
  for (auto& m : *slow.mutable_memory())
    if (m.name() == "l2") m.set_port_bytes_per_cycle(2);
  soc = build_soc(slow, "slow-l2");
  Network net = one_conv(16, 32, 32, 32, 1);  // 1x1 conv: 16 KiB in, 16 KiB out per 16 channels
  const Layer& l = net.layers[0];
  sim::Simulator s(soc);
  std::vector<JobResult> r =
      s.run({job(l, {on("digital", 16, 0, Op::kConv2d)}), job(l, {on("aimc", 16, 16, Op::kConv2d)}),
             job(l, {on("digital", 16, 0, Op::kConv2d), on("aimc", 16, 16, Op::kConv2d)})});
  // transfer-bound: each CU alone stalls longer than it computes
  CHECK(r[0].cu[0].stall_cycles > r[0].cu[0].busy_cycles);
  CHECK(r[1].cu[0].stall_cycles > r[1].cu[0].busy_cycles);
  const int64_t slower = std::max(r[0].cycles, r[1].cycles);
  MESSAGE("digital alone " << r[0].cycles << ", aimc alone " << r[1].cycles << ", together " << r[2].cycles);
  CHECK(r[2].cycles > slower);
  // and each CU is slowed down by the other's traffic
  CHECK(r[2].cu[0].stall_cycles > r[0].cu[0].stall_cycles);
  CHECK(r[2].cu[1].stall_cycles > r[1].cu[0].stall_cycles);
}

TEST_CASE("a layer larger than L1 is tiled and still correct in bytes moved") {
  Network net = one_conv(64, 64, 64, 16, 3);  // 256 KiB input + 64 KiB output > 256 KiB L1
  const Layer& l = net.layers[0];
  sim::Simulator s(load_soc("diana"));
  std::vector<JobResult> r = s.run({job(l, {on("digital", 16, 0, Op::kConv2d)})});
  const sim::CuResult& c = r[0].cu[0];
  CHECK(c.tiles == 2);
  const int64_t weights = 16 * (64 * 9 + 4);
  const int64_t halo = 2 * 64 * 64;  // two input rows read by both tiles
  CHECK(c.bytes_moved == l.in_bytes + halo + weights + l.out_bytes);
  // the L2 model counted the same traffic through its port
  const sim::L2Traffic t = s.l2_traffic();
  CHECK(t.bytes_read == l.in_bytes + halo + weights);
  CHECK(t.bytes_written == l.out_bytes);
  // single buffering on DIANA: the layer takes at least compute + all transfers
  CHECK(r[0].cycles >= c.busy_cycles + (c.bytes_moved / 16));
}

TEST_CASE("an AIMC layer over 1152 rows needs more than one weight load") {
  Network big = one_conv(256, 8, 8, 64, 3);   // 2304 rows
  Network fits = one_conv(128, 8, 8, 64, 3);  // 1152 rows
  sim::Simulator s(load_soc("diana"));
  std::vector<JobResult> r = s.run({job(big.layers[0], {on("aimc", 64, 0, Op::kConv2d)}),
                                    job(fits.layers[0], {on("aimc", 64, 0, Op::kConv2d)})});
  CHECK(r[0].cu[0].weight_loads == 2);
  CHECK(r[1].cu[0].weight_loads == 1);
  CHECK(r[0].cycles > r[1].cycles);
}

TEST_CASE("a DIANA variant with a 2304x512 AIMC array simulates, with one weight load") {
  Network big = one_conv(256, 8, 8, 64, 3);
  sim::Simulator s(load_soc("diana-aimc2304"));
  std::vector<JobResult> r = s.run({job(big.layers[0], {on("aimc", 64, 0, Op::kConv2d)})});
  CHECK(r[0].cu[0].weight_loads == 1);
  CHECK(r[0].cycles > 0);
}

TEST_CASE("the same jobs twice give identical results, measured as differences of simulated time") {
  Network net = load_network("resnet8");
  SocDescription soc = load_soc("diana");
  ResolvedMapping m = resolve_mapping(net, soc, "all:aimc");
  std::vector<Job> jobs;
  for (size_t i = 0; i < net.layers.size(); ++i)
    if (m.layers[i].runs()) jobs.push_back(sim::make_job(net.layers[i], m.layers[i]));
  sim::Simulator s(soc);
  std::vector<JobResult> a = s.run(jobs);
  const int64_t after_first = s.now_cycles();
  std::vector<JobResult> b = s.run(jobs);
  REQUIRE(a.size() == b.size());
  CHECK(b.front().start_cycle >= after_first);
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].cycles == b[i].cycles);
    CHECK(a[i].energy_pj == b[i].energy_pj);
    CHECK(a[i].bytes_moved == b[i].bytes_moved);
    CHECK(a[i].stall_cycles == b[i].stall_cycles);
  }
}

TEST_CASE("Darkside: the cluster meets TCDM bank conflicts, more when the DWE runs beside it") {
  Network dw = one_conv(64, 16, 16, 64, 3, 1, 1, "depthwise");
  const Layer& l = dw.layers[0];
  sim::Simulator s(load_soc("darkside"));
  std::vector<JobResult> r =
      s.run({job(l, {on("cluster", 16, 0, Op::kDepthwise)}),
             job(l, {on("cluster", 16, 0, Op::kDepthwise), on("dwe", 48, 16, Op::kDepthwise)})});
  // software depthwise: ceil(16/8) * 16*16 * 9 * 8 cycles before conflicts, + 100 fork/barrier
  const double base = 2.0 * 256 * 9 * 8 + 100;
  CHECK(r[0].cu[0].busy_cycles > base);
  CHECK(r[1].cu[0].busy_cycles > r[0].cu[0].busy_cycles);
}

TEST_CASE("double buffering overlaps transfers with compute on Darkside") {
  // A layer larger than the TCDM: several tiles; with double buffering the
  // layer takes less than compute + transfers in sequence.
  Network net = one_conv(32, 64, 64, 32, 3);  // 128 KiB in + 128 KiB out
  sim::Simulator s(load_soc("darkside"));
  std::vector<JobResult> r = s.run({job(net.layers[0], {on("cluster", 32, 0, Op::kConv2d)})});
  const sim::CuResult& c = r[0].cu[0];
  CHECK(c.tiles > 2);
  const double sequential = c.busy_cycles + double(c.bytes_moved) / 8;
  CHECK(double(c.end_cycle - c.start_cycle) < sequential);
}

TEST_CASE("a second Simulator in the same process is refused") {
  sim::Simulator s(load_soc("diana"));
  CHECK(odimo::test::error_of([] { sim::Simulator again(load_soc("diana")); }) ==
        "only one Simulator per process: SystemC allows one elaboration");
}

TEST_CASE("jobs are planned before simulating: a tile that cannot fit is an Error") {
  Network net = one_conv(16, 8, 60000, 16, 5, 1, 2, "depthwise");  // 5 input rows of 60000 B
  sim::Simulator s(load_soc("diana"));
  CHECK(odimo::test::error_of([&] {
          s.run({job(net.layers[0], {on("digital", 16, 0, Op::kDepthwise)})});
        }).find("cannot fit any memory") != std::string::npos);
  Network dw = one_conv(16, 8, 8, 16, 3, 1, 1, "depthwise");
  CHECK(odimo::test::error_of([&] { s.run({job(dw.layers[0], {on("aimc", 16, 0, Op::kDepthwise)})}); }) ==
        "layer 'conv': aimc cannot run depthwise");
  CHECK(odimo::test::error_of([&] {
          s.run({job(dw.layers[0],
                     {on("digital", 8, 0, Op::kDepthwise), on("digital", 8, 8, Op::kDepthwise)})});
        }) == "job 'conv': CU 'digital' is given two shares");
  CHECK(odimo::test::error_of([&] { s.run({job(dw.layers[0], {on("digital", 0, 0, Op::kDepthwise)})}); }) ==
        "job 'conv': digital is given 0 channels");
  // after the refused batches the simulator still works
  CHECK(s.run({job(dw.layers[0], {on("digital", 16, 0, Op::kDepthwise)})})[0].cycles > 0);
}

TEST_CASE("CUs sharing DIANA's L1 read one copy of the layer input") {
  Network net = one_conv(16, 16, 16, 32, 3);
  const Layer& l = net.layers[0];
  sim::Simulator s(load_soc("diana"));
  std::vector<JobResult> r =
      s.run({job(l, {on("digital", 16, 0, Op::kConv2d), on("aimc", 16, 16, Op::kConv2d)})});
  const int64_t digital_weights = 16 * (16 * 9 + 4);
  const int64_t aimc_weights = (4 + 2) * 16 * 3 * (4 * 16) * 2 / 8;  // rows (u+2)*C*3, cols u*16, 2 bit
  const sim::L2Traffic t = s.l2_traffic();
  CHECK(t.bytes_read == l.in_bytes + digital_weights + aimc_weights);
  CHECK(t.bytes_written == l.out_bytes);
  CHECK(r[0].bytes_moved == t.bytes_read + t.bytes_written);
  // the reader (aimc) cannot finish before the loader's input arrived
  CHECK(r[0].cu[1].stall_cycles > 0);
}

TEST_CASE("a layer larger than L2 streams its tensors through the off-chip memory beside the CUs") {
  // 64 -> 64, 3x3 at 64x64: 256 KiB in + 256 KiB out + 37,120 B of weights > DIANA's 512 KiB L2
  Network net = one_conv(64, 64, 64, 64, 3);
  const Layer& l = net.layers[0];
  const SocDescription soc = load_soc("diana");
  const OffChipTraffic traffic = off_chip_traffic(soc, l);
  CHECK(traffic.in_bytes == 65536 * 4 + 64 * (64 * 9 + 4));
  CHECK(traffic.out_bytes == 65536 * 4);
  sim::Simulator s(soc);
  const sim::L2Traffic before = s.l2_traffic();
  const JobResult r = s.run({job(l, {on("aimc", 64, 0, Op::kConv2d)})})[0];
  CHECK(r.off_chip_bytes == traffic.in_bytes + traffic.out_bytes);
  CHECK(r.cycles >= off_chip_cycles(soc, traffic));  // at 1 B/cycle the transfer bounds the layer
  CHECK(r.off_chip_energy_pj == doctest::Approx(off_chip_pj(soc, traffic.in_bytes, traffic.out_bytes)));
  // the off-chip channel writes and reads L2 through its port, beside the CU's own DMA
  const sim::L2Traffic after = s.l2_traffic();
  // (the CU's DMA reads its input and weights from L2 and writes the output, once)
  CHECK(after.bytes_written - before.bytes_written == traffic.in_bytes + l.out_bytes);
  CHECK(after.bytes_read - before.bytes_read == traffic.out_bytes + (r.cu[0].bytes_moved - l.out_bytes));
  // a small layer moves nothing off-chip
  Network small = one_conv(16, 8, 8, 16, 3);
  CHECK(s.run({job(small.layers[0], {on("digital", 16, 0, Op::kConv2d)})})[0].off_chip_bytes == 0);
}
