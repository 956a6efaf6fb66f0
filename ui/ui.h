// ui/: what people see. The public header: include this one.
//   overlay.h  DrawOverlay(frame, OverlayState) -> the annotated frame (pure,
//              no display needed)
//   window.h   DisplayAvailable(), Window (show, keys -> KeyAction)
#pragma once

#include "ui/overlay.h"
#include "ui/window.h"
