// ui/: what people see and keep. The public header: include this one.
//   overlay.h      DrawOverlay(frame, OverlayState) -> the annotated frame (pure,
//                  no display needed)
//   window.h       DisplayAvailable(), Window (show, keys -> KeyAction)
//   recorder.h     Recorder: a session folder (videos, logs, snapshots, clips)
//   eval_report.h  the ROC / histogram and contact-sheet pictures of vww eval
#pragma once

#include "ui/eval_report.h"
#include "ui/overlay.h"
#include "ui/recorder.h"
#include "ui/window.h"
