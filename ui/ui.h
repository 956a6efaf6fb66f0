// ui/: what people see and keep: the overlay, the window, the run view, the
// recorder and the eval report pictures. The public header: include this one.
//   overlay.h            DrawOverlay(frame, OverlayState) -> the annotated frame
//                        (pure, no display needed)
//   window.h             DisplayAvailable(), Window (show, keys -> KeyAction)
//   run_view.h           RunView: what `vww run` shows and keeps per frame
//   recorder/recorder.h  Recorder: a session folder (videos, logs, snapshots, clips)
//   eval_report.h        the ROC / histogram and contact-sheet pictures of vww eval
//   heatmap.h            occlusion heat maps: colours, blending, a still with its map
#pragma once

#include "ui/eval_report.h"
#include "ui/heatmap.h"
#include "ui/overlay.h"
#include "ui/recorder/recorder.h"
#include "ui/run_view.h"
#include "ui/window.h"
