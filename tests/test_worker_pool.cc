// model/worker_pool: every iteration runs exactly once, on a valid
// worker, loop after loop; exceptions reach the caller; a one-worker pool
// stays on the calling thread. And the tiled classifier gives the same
// results whatever the number of threads.
#include <gtest/gtest.h>

#include <atomic>
#include <opencv2/videoio.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

#include "model/worker_pool.h"
#include "pipeline/classifier.h"
#include "tests/test_util.h"

namespace vww {
namespace {

TEST(WorkerPool, EveryIterationOnceOnAValidWorker) {
  WorkerPool pool(3);
  ASSERT_EQ(pool.size(), 3);
  std::vector<std::atomic<int>> hits(64);
  std::vector<std::atomic<int>> per_worker(3);
  for (int loop = 0; loop < 500; ++loop) {
    const int count = loop % 64;
    for (auto& h : hits) h = 0;
    pool.ParallelFor(count, [&](int worker, int i) {
      ASSERT_GE(worker, 0);
      ASSERT_LT(worker, 3);
      ++hits[i];
      ++per_worker[worker];
    });
    for (int i = 0; i < 64; ++i) ASSERT_EQ(hits[i].load(), i < count ? 1 : 0) << loop << " " << i;
  }
  int total = 0;
  for (auto& w : per_worker) total += w;
  EXPECT_EQ(total, 500 / 64 * (63 * 64 / 2) + (500 % 64) * (500 % 64 - 1) / 2);
}

TEST(WorkerPool, LoopsReallyShareTheWork) {
  // Two iterations that each wait for the other: only two threads at once
  // can finish them (a pool that ran them one by one would hang here, so
  // the wait is bounded and the test fails instead).
  WorkerPool pool(2);
  std::atomic<int> arrived{0};
  std::atomic<bool> both{true};
  pool.ParallelFor(2, [&](int, int) {
    ++arrived;
    for (int spin = 0; arrived.load() < 2; ++spin) {
      if (spin > 20000) {
        both = false;
        return;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  });
  EXPECT_TRUE(both.load());
}

TEST(WorkerPool, ExceptionsReachTheCallerAndThePoolGoesOn) {
  WorkerPool pool(2);
  EXPECT_THROW(pool.ParallelFor(10,
                                [](int, int i) {
                                  if (i == 3) throw std::runtime_error("tile 3");
                                }),
               std::runtime_error);
  std::atomic<int> n{0};
  pool.ParallelFor(10, [&](int, int) { ++n; });
  EXPECT_EQ(n.load(), 10);
}

TEST(WorkerPool, OneWorkerRunsOnTheCallingThread) {
  WorkerPool pool(1);
  EXPECT_EQ(pool.size(), 1);
  const std::thread::id caller = std::this_thread::get_id();
  int n = 0;
  pool.ParallelFor(5, [&](int worker, int i) {
    EXPECT_EQ(worker, 0);
    EXPECT_EQ(std::this_thread::get_id(), caller);
    EXPECT_EQ(i, n++);  // in order
  });
  EXPECT_EQ(n, 5);
  EXPECT_GE(AutoWorkerCount(2), 1);
  EXPECT_LE(AutoWorkerCount(2), 2);
}

TEST(TiledClassifier, SameResultsOnOneTwoAndFourThreads) {
  // Frames of the person video through `--tiles auto` (17 tiles) with 1, 2
  // and 4 threads: every tile's score, the combined scores, the raw outputs
  // and the winner must be identical (each tile is an independent inference).
  std::vector<std::unique_ptr<Classifier>> classifiers;
  for (int threads : {1, 2, 4}) {
    ClassifierOptions o;
    o.tiles = ParseTileSpec("auto");
    o.threads = threads;
    classifiers.push_back(std::make_unique<Classifier>(o));
    EXPECT_EQ(classifiers.back()->threads(), threads);
  }
  cv::VideoCapture video(test::AssetsDir() + "/vtest_person.avi", cv::CAP_FFMPEG);
  ASSERT_TRUE(video.isOpened());
  cv::Mat frame;
  int frames = 0;
  for (; frames < 40 && video.read(frame); ++frames) {
    const Classification one = classifiers[0]->Classify(frame);
    ASSERT_EQ(one.tile_scores.size(), 17u);
    for (size_t k = 1; k < classifiers.size(); ++k) {
      const Classification& c = classifiers[k]->Classify(frame);
      ASSERT_EQ(c.tile_scores, one.tile_scores) << "frame " << frames;
      ASSERT_EQ(c.scores, one.scores) << "frame " << frames;
      ASSERT_EQ(c.scores_q, one.scores_q) << "frame " << frames;
      ASSERT_EQ(c.tile, one.tile) << "frame " << frames;
      ASSERT_EQ(
          cv::norm(classifiers[k]->model_image(), classifiers[0]->model_image(), cv::NORM_INF), 0);
    }
  }
  EXPECT_EQ(frames, 40);
}

TEST(TiledClassifier, ThreadsAreCheckedAndUnusedForTheSingleCrop) {
  ClassifierOptions o;
  o.threads = 2;
  EXPECT_EQ(Classifier(o).threads(), 1);  // one inference per frame: no pool
  o.threads = -1;
  EXPECT_THROW(Classifier c(o), Error);
  o.threads = kMaxThreads + 1;
  EXPECT_THROW(Classifier c(o), Error);
}

}  // namespace
}  // namespace vww
