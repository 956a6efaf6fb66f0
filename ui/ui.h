// ui/: what people see. (Filled in by the overlay work.)
#pragma once
