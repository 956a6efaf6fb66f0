# Turns the web page into a C++ header (a raw string), so the binary serves
# it without reading any file: cmake -DIN=page.html -DOUT=page_html.h -P this.
file(READ "${IN}" page)
string(FIND "${page}" ")vwwpage\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw-string delimiter )vwwpage\"")
endif()
file(WRITE "${OUT}.tmp" "// Generated from ui/web/page.html by ui/web/embed_page.cmake. Do not edit.\n#pragma once\nnamespace vww {\ninline constexpr char kPageHtml[] = R\"vwwpage(${page})vwwpage\";\n}  // namespace vww\n")
file(RENAME "${OUT}.tmp" "${OUT}")
