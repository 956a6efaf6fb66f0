// vww run: the live pipeline. A camera (or file) -> DSP -> model -> label and
// wake/sleep decisions, printed Edge Impulse style, logged per frame, with
// commands run on wake and sleep, and a summary at the end.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "app/cli.h"
#include "app/commands.h"
#include "app/format.h"
#include "app/run_live.h"
#include "pipeline/assets.h"
#include "pipeline/boards.h"
#include "pipeline/bundled_models.h"
#include "pipeline/capture/reconnect.h"
#include "pipeline/explain.h"
#include "pipeline/frame_log.h"
#include "pipeline/hooks.h"
#include "pipeline/session.h"
#include "ui/run_view.h"

namespace vww {

namespace {

std::atomic<bool> g_stop{false};

// First SIGINT / SIGTERM / SIGHUP (a closed terminal or SSH session): finish
// the current frame, finalise the recording and logs, write the summary,
// exit 0. Second: the user means it (e.g. a camera read is stuck): exit at
// once with 128 + the signal, without finalising.
void OnSignal(int sig) {
  if (g_stop.exchange(true)) {
    HookRunner::KillAllFromSignalHandler();
    _exit(128 + sig);
  }
  static const char kMsg[] = "\nstopping (Ctrl-C again to quit at once)\n";
  const ssize_t ignored = write(STDERR_FILENO, kMsg, sizeof(kMsg) - 1);
  (void)ignored;
}

// Installed before anything is opened, so a signal during start-up also ends
// in a finalised recording. SIGPIPE is ignored: a closed stdout (`| head`)
// then shows as EPIPE on the next flush, which stops the run cleanly.
void InstallSignalHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

// True once stdout cannot be written (the reader went away).
bool StdoutClosed() { return std::fflush(stdout) != 0 || std::ferror(stdout) != 0; }

struct UsageError : Error {
  using Error::Error;
};

bool EndsWith(const std::string& s, const char* suffix) {
  const size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

void ParseSize(const std::string& s, int* w, int* h) {
  if (!s.empty() && !ParseFrameSize(s, w, h))
    throw UsageError("invalid --size '" + s + "' (want WxH, e.g. 640x480)");
}

std::string SampleVideoPath() { return DataFile("vtest_person.avi"); }

std::unique_ptr<FrameSource> OpenWithFallback(SourceOptions options) {
  if (!options.source.empty()) return OpenSource(options);
  try {
    return OpenSource(options);
  } catch (const NoCameraError& e) {
    const std::string sample = SampleVideoPath();
    std::fprintf(stderr, "note: %s; playing the sample video %s instead\n", e.what(),
                 sample.c_str());
    options.source = sample;
    return OpenSource(options);
  }
}

void PrintSummary(const SessionSummary& s, const HookRunner& hooks) {
  std::fprintf(stderr, "summary: %lld frames in %.2f s (%.1f fps), %lld dropped, %s\n",
               static_cast<long long>(s.frames), s.wall_s, s.fps, static_cast<long long>(s.dropped),
               s.end.c_str());
  std::fprintf(stderr,
               "latency ms, median / p99: capture-to-decision %.3f / %.3f, dsp %.3f / %.3f, "
               "classification %.3f / %.3f\n",
               s.latency.median_ms, s.latency.p99_ms, s.dsp.median_ms, s.dsp.p99_ms,
               s.classification.median_ms, s.classification.p99_ms);
  std::fprintf(stderr, "cpu: %.0f%% of one core (%u cores)\n", s.cpu_share * 100.0,
               std::max(1u, std::thread::hardware_concurrency()));
  std::fprintf(stderr, "events: %d wake, %d sleep, %s at the end", s.wakes, s.sleeps,
               s.awake ? "awake" : "asleep");
  if (hooks.started() || hooks.skipped())
    std::fprintf(stderr, "; hooks: %d run, %d skipped, %d killed", hooks.started(), hooks.skipped(),
                 hooks.killed());
  std::fprintf(stderr, "\n");
}

int Run(int argc, char** argv) {
  SourceOptions src;
  std::string size, model, labels, backend = "fast", crop = "fit-shortest", tiles = "1";
  std::string mean, stddev;
  TileSpec tile_spec;
  std::string on_wake, on_sleep, log_path, events_path;
  DecisionOptions decision;
  int print_every = 1, frames = 0, threads = 0;
  bool explain = false;
  ExplainOptions explain_options;
  std::string board_id;
  double duration = 0, hook_timeout = 10.0;
  bool quiet = false, headless = false, reconnect = false;
  RunViewOptions view;  // window, recording, screenshot
  LiveOptions live;     // --http, --mqtt

  cli::ArgParser p("vww run [options]",
                   "Watch a camera (or a video, image or folder) and decide on every frame\n"
                   "whether a person is in view. Prints each frame's scores Edge Impulse style\n"
                   "and wake/sleep events on stdout, and a summary on stderr at the end\n"
                   "(end of file, --frames, --duration, Ctrl-C; Ctrl-C twice quits at once).");
  p.Option("--source", &src.source,
           "\"\" (first camera; the sample video when there is none), /dev/videoN, N, a video "
           "or image file, a folder of images, gst:PIPELINE");
  p.Option("--capture", &src.capture, "camera API: auto | v4l2 | opencv (default auto)");
  p.Option("--size", &size, "camera frame size WxH, e.g. 640x480 (default: the device's best)");
  p.Option("--fps", &src.fps, "camera frame rate; pace for images and folders with --realtime");
  p.Flag("--realtime", &src.realtime,
         "play files at their frame rate, dropping frames like a camera");
  p.Flag("--loop", &src.loop, "restart files at the end");
  bool fast = false;
  p.Flag("--fast", &fast,
         "in a window, play files as fast as they are processed (default: at their own frame "
         "rate, every frame shown; headless is always as fast as possible)");
  p.Option("--model", &model,
           "person_detect (default) | mlperf_vww | FILE.tflite (see vww models)");
  p.Option("--labels", &labels, "class names, one per line; default: <model>.labels.txt");
  p.Option("--backend", &backend, "fast | reference (default fast)");
  p.Option("--crop", &crop, "fit-shortest | fit-longest | squash (default fit-shortest)");
  p.Option("--mean", &mean, "per-channel mean of 0..1 pixels, e.g. 0.485,0.456,0.406");
  p.Option("--std", &stddev, "per-channel std of 0..1 pixels, e.g. 0.229,0.224,0.225");
  p.Option("--tiles", &tiles,
           "1 (the crop only, default) | auto | CxR[@S][+...][:RULE[:BIAS]]: also search "
           "overlapping tiles covering the frame and combine their person scores (see README)");
  p.Option("--threads", &threads,
           "threads sharing a frame's tiles (0 = auto: the cores, at most 2; default 0)");
  p.Flag("--explain", &explain,
         "occlusion heat map: how much hiding each patch of the model's input lowers the person "
         "score, over the inset and the frame (key x toggles it); with --log, the top patch "
         "per frame");
  p.Option("--explain-patch", &explain_options.patch,
           "heat map patch side, model pixels (default 16)");
  p.Option("--explain-stride", &explain_options.stride,
           "heat map step between patches, model pixels (default 8)");
  p.Option("--board", &board_id,
           "behave like this microcontroller board (`vww boards` lists them): classify only as "
           "often as it could, show the frames between unclassified");
  p.Option("--threshold", &decision.threshold,
           "top score below this is reported as \"uncertain\" (default 0.6)");
  p.Option("--smooth", &decision.smooth, "moving average of the person score, frames (default 5)");
  p.Option("--wake-threshold", &decision.wake_threshold,
           "smoothed person score that wakes ... (default 0.6)");
  p.Option("--wake-frames", &decision.wake_frames, "... when held this many frames (default 3)");
  p.Option("--sleep-threshold", &decision.sleep_threshold,
           "smoothed person score below which ... (default 0.4)");
  p.Option("--hold-seconds", &decision.hold_seconds,
           "... held this long (frame timestamps) puts it to sleep (default 2.0)");
  p.Option("--on-wake", &on_wake,
           "command run by /bin/sh on wake, without waiting; gets VWW_EVENT, VWW_FRAME, "
           "VWW_T_MS, VWW_SCORE");
  p.Option("--on-sleep", &on_sleep, "the same on sleep");
  p.Option("--hook-timeout", &hook_timeout,
           "seconds after which a still-running hook is killed (default 10)");
  p.Option("--print-every", &print_every, "print every N-th frame's predictions (default 1)");
  p.Flag("--quiet", &quiet, "no per-frame predictions (events and summary still)");
  p.Option("--log", &log_path,
           "per-frame log: FILE.csv or FILE.jsonl (scores, label, wake state, timings)");
  p.Option("--events", &events_path, "wake/sleep events as JSON lines");
  p.Option("--frames", &frames, "stop after N processed frames");
  p.Option("--duration", &duration, "stop after S seconds of stream time");
  p.Flag("--headless", &headless,
         "no window (the default without a display); keys in the window: q/Esc quit, space "
         "pause, r record, s snapshot, m mirror, c crop mode, +/- threshold, f fullscreen, h help");
  p.Option("--record", &view.record_dir,
           "record a session into a new date-and-time folder in DIR: annotated video, log, "
           "events, wake snapshots, session.json (the r key records into DIR, default "
           "./recordings)");
  p.Flag("--record-raw", &view.record_raw,
         "also record the raw frames losslessly (replay with --source .../raw.avi)");
  p.Flag("--clips", &view.clips, "also record a clip around each wake event");
  p.Option("--preroll", &view.preroll_s, "seconds of video before a wake in its clip (default 3)");
  p.Option("--postroll", &view.postroll_s,
           "seconds of video after the sleep in a wake clip (default 2)");
  p.Option("--screenshot", &view.screenshot,
           "at the end, save the annotated last frame as FILE.png; with a window, keep it on "
           "screen until q or Ctrl-C (for docs and tests)");
  p.Option("--stall-timeout", &src.stall_timeout_s,
           "seconds without a frame after which a camera counts as failed (default 5)");
  p.Flag("--reconnect", &reconnect,
         "when the camera fails or stalls, reopen it with backoff (0.5 s doubling to 8 s) "
         "instead of stopping");
  live.Register(&p);
  int code = 0;
  if (!p.Parse(argc, argv, 2, &code)) return code;
  g_stop = false;
  InstallSignalHandlers();

  try {
    ParseSize(size, &src.width, &src.height);
    if (src.capture != "auto" && src.capture != "v4l2" && src.capture != "opencv")
      throw UsageError("invalid --capture '" + src.capture + "' (auto, v4l2 or opencv)");
    if (src.fps < 0) throw UsageError("--fps must be >= 0");
    if (print_every < 0) throw UsageError("--print-every must be >= 0");
    if (explain_options.patch < 1 || explain_options.patch > 4096)
      throw UsageError("--explain-patch must be between 1 and 4096");
    if (explain_options.stride < 1 || explain_options.stride > 4096)
      throw UsageError("--explain-stride must be between 1 and 4096");
    if (frames < 0) throw UsageError("--frames must be >= 0");
    if (threads < 0 || threads > kMaxThreads)
      throw UsageError("--threads must be between 0 (auto) and " + std::to_string(kMaxThreads));
    if (duration < 0) throw UsageError("--duration must be >= 0");
    if (!(src.stall_timeout_s > 0)) throw UsageError("--stall-timeout must be > 0");
    if (!(hook_timeout > 0)) throw UsageError("--hook-timeout must be > 0");
    try {
      tile_spec = ParseTileSpec(tiles);
    } catch (const Error& e) {
      throw UsageError(e.what());
    }
    if (!(view.preroll_s >= 0) || view.preroll_s > RecorderOptions::kPrerollMaxSeconds)
      throw UsageError("--preroll must be between 0 and " +
                       Num("%g", RecorderOptions::kPrerollMaxSeconds) +
                       " seconds (the preroll is kept in memory)");
    if (!(view.postroll_s >= 0) || view.postroll_s > 600)
      throw UsageError("--postroll must be between 0 and 600 seconds");
    if ((view.record_raw || view.clips) && view.record_dir.empty() &&
        (headless || !DisplayAvailable()))
      throw UsageError("--record-raw and --clips need --record DIR (or a window and the r key)");
    try {
      decision.Validate();
    } catch (const Error& e) {
      throw UsageError(e.what());
    }
    if (!log_path.empty() && !EndsWith(log_path, ".csv") && !EndsWith(log_path, ".jsonl"))
      throw UsageError("--log " + log_path + ": the name must end in .csv or .jsonl");
    try {
      live.Validate();
    } catch (const Error& e) {
      throw UsageError(e.what());
    }
  } catch (const UsageError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }

  // The board first: a wrong id is a usage error before anything opens.
  std::vector<Board> boards;
  const Board* board = nullptr;
  if (!board_id.empty()) {
    boards = LoadBoards(DefaultBoardsPath());
    try {
      board = &FindBoard(boards, board_id);
    } catch (const Error& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
      return 2;
    }
  }

  ClassifierOptions copts;
  copts.model_path = model;
  copts.labels_path = labels;
  copts.backend = ParseBackend(backend);
  copts.crop = ParseCropMode(crop);
  copts.tiles = tile_spec;
  copts.threads = threads;
  if (!mean.empty()) copts.mean = ParseFloatList(mean, "--mean");
  if (!stddev.empty()) copts.std = ParseFloatList(stddev, "--std");
  // The model first: a bad model is reported before a camera is opened.
  auto classifier = std::make_unique<Classifier>(copts);
  const std::vector<std::string> names = classifier->labels();
  if (classifier->person_index() < 0)
    std::fprintf(stderr, "note: the model has no class named \"person\": no wake/sleep events\n");
  // Without a window or a recording nobody sees colour: let a camera deliver
  // its Y plane when the model is gray.
  view.window = !headless && DisplayAvailable();
  view.paced = view.window && !fast;
  src.prefer_gray = classifier->dsp().spec().channels == 1 && !view.window &&
                    view.record_dir.empty() && !live.shows_frames();

  // Board-speed mode: the board's estimated time for this model.
  double board_ms = 0;
  if (board) {
    board_ms = board->EstimateMs(ModelMacs(classifier->model()));
    std::fprintf(stderr,
                 "board: %s (%s, %s @ %.4g MHz): ~%.2f ms per classification (estimate, %s)\n",
                 board->id.c_str(), board->board.c_str(), board->stack.c_str(), board->clock_mhz,
                 board_ms, board->basis_kind().c_str());
  }
  if (explain && classifier->person_index() < 0) {
    std::fprintf(stderr, "error: --explain needs a model with a class named \"person\"\n");
    return 2;
  }
  explain_options.threads = threads;
  explain_options.backend = copts.backend;

  std::unique_ptr<FrameLog> log;
  FrameLogColumns columns;
  columns.classified = board != nullptr;
  columns.explain = explain;
  if (!log_path.empty()) log = std::make_unique<FrameLog>(log_path, names, columns);
  std::unique_ptr<FileOut> events;
  if (!events_path.empty()) events = std::make_unique<FileOut>(events_path);

  std::unique_ptr<FrameSource> source = OpenWithFallback(src);
  if (reconnect && source->is_live())
    source = MakeReconnectingSource(
        std::move(source), [src] { return OpenSource(src); }, ReconnectOptions(), &g_stop,
        [](const std::string& line) { std::fprintf(stderr, "warning: %s\n", line.c_str()); });
  Session session(std::move(source), std::move(classifier), decision);
  std::fprintf(stderr, "source: %s\n", session.source().Describe().c_str());
  view.model_path = ResolveModelPath(model);
  view.source = session.source().Describe();
  for (int i = 0; i < argc; ++i) view.options += (i ? " " : "") + std::string(argv[i]);
  session.set_board_latency(board_ms);
  session.set_explain_options(explain_options);
  if (explain) session.set_explain(true);
  if (board) {
    char line[160];
    std::snprintf(line, sizeof line, "board: %s (%s)", board->board.c_str(), board->stack.c_str());
    view.board_lines.push_back(line);
    std::snprintf(line, sizeof line, "~%.2f ms per classification (estimate, %s)", board_ms,
                  board->basis_kind().c_str());
    view.board_lines.push_back(line);
  }
  view.log_columns = columns;
  RunView run_view(&session, view);
  LiveOutputs outputs(live, view.model_path, view.source, names,
                      {{"threshold", Num("%g", decision.threshold)},
                       {"wake_threshold", Num("%g", decision.wake_threshold)},
                       {"sleep_threshold", Num("%g", decision.sleep_threshold)},
                       {"smooth", std::to_string(decision.smooth)},
                       {"wake_frames", std::to_string(decision.wake_frames)},
                       {"hold_seconds", Num("%g", decision.hold_seconds)},
                       {"backend", backend},
                       {"crop", crop},
                       {"tiles", tiles},
                       {"command", view.options}});
  outputs.AttachTo(&run_view);

  HookRunner hooks(4, hook_timeout);

  double last_flush_ms = SteadyNowMs();
  auto on_frame = [&](const FrameResult& r) {
    // A busy board prints nothing for the frames it did not take.
    if (!quiet && print_every > 0 && (r.processed - 1) % print_every == 0 && r.classified) {
      PrintPredictions(stdout, r.classification, names);
      if (board) std::printf("Board %s: ~%.2f ms. (estimate)\n", board->id.c_str(), board_ms);
    }
    if (log) log->Write(r);
    if (r.event) {
      const WakeEvent& e = *r.event;
      std::printf("%s (frame %lld, t %.3f s, smoothed %s: %.5f)\n",
                  e.type == WakeEventType::kWake ? "WAKE" : "SLEEP",
                  static_cast<long long>(e.frame), e.t_ms / 1000.0, names[r.person_index].c_str(),
                  e.score);
      if (events) {
        std::fputs(EventJson(e).c_str(), events->get());
        std::fflush(events->get());
      }
      const std::string& cmd = e.type == WakeEventType::kWake ? on_wake : on_sleep;
      if (!cmd.empty()) {
        std::fflush(stdout);  // so a hook writing to our stdout comes after this line
        hooks.Start(cmd, {{"VWW_EVENT", WakeEventName(e.type)},
                          {"VWW_FRAME", std::to_string(e.frame)},
                          {"VWW_T_MS", Num("%.3f", e.t_ms)},
                          {"VWW_SCORE", Num("%.5f", e.score)}});
      }
    }
    hooks.Poll();
    // Flush the log about once a second so a hard stop loses little.
    const double now = SteadyNowMs();
    if (now - last_flush_ms > 1000.0 || r.event) {
      if (log) log->Flush();
      last_flush_ms = now;
      // stdout's reader is gone (`vww run | head`): stop like Ctrl-C.
      if (StdoutClosed() && !g_stop.exchange(true))
        std::fprintf(stderr, "stopping: stdout closed\n");
    }
    outputs.OnFrame(r, session.decision());
    return run_view.OnFrame(r, &g_stop);
  };

  SessionLimits limits;
  limits.max_frames = frames;
  limits.max_duration_s = duration;
  // A source that fails mid-stream (camera unplugged, stalled) still gets its
  // logs closed, hooks finished and the summary, then the error as the last line.
  SessionSummary summary;
  std::string failure;
  try {
    summary = session.Run(on_frame, limits, &g_stop);
  } catch (const Error& e) {
    failure = e.what();
    summary = session.Summary();
    summary.end = "source failed";
  }
  std::fflush(stdout);
  run_view.Finish();  // the recording is finalised on every way out
  // Give hooks fired near the end a moment to finish rather than orphan them.
  hooks.Finish(g_stop ? 0.5 : hook_timeout);
  if (log) log->Close();
  if (events) events->Close();
  PrintSummary(summary, hooks);
  if (board)
    std::fprintf(stderr,
                 "board: %s, ~%.2f ms per classification (estimate, %s; ours: median %.3f ms): "
                 "%lld of %lld frames classified, %.2f decisions/s of stream time\n",
                 board->id.c_str(), board_ms, board->basis_kind().c_str(),
                 summary.classification.median_ms, static_cast<long long>(summary.classified),
                 static_cast<long long>(summary.frames), summary.decision_rate);
  if (summary.explained > 0)
    std::fprintf(stderr,
                 "explain: %lld heat maps (%d inferences each), median %.2f ms, p99 %.2f ms\n",
                 static_cast<long long>(summary.explained), session.explainer()->inferences(),
                 summary.explain.median_ms, summary.explain.p99_ms);
  if (!tile_spec.single() && summary.frames > 0)
    std::fprintf(stderr,
                 "tiles: %s, %zu per frame on %d thread%s (dsp and classification above: all "
                 "tiles)\n",
                 tile_spec.str().c_str(), session.classifier().tile_layout().tiles.size(),
                 session.classifier().threads(), session.classifier().threads() == 1 ? "" : "s");
  outputs.Finish(failure.empty() ? summary.end : "source failed: " + failure);
  if (failure.empty()) run_view.HoldScreenshot(&g_stop);
  if (!failure.empty()) {
    std::fprintf(stderr, "error: %s\n", failure.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int CmdRun(int argc, char** argv) { return Run(argc, argv); }

}  // namespace vww
