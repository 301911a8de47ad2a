#include "collector/analysis/printable.h"

#include <cstdint>

namespace lockscope::collector {
namespace {

// Length of the valid UTF-8 sequence at text[i] and its code point, or 0.
size_t DecodeUtf8(std::string_view text, size_t i, uint32_t* cp) {
  const auto byte = [&](size_t k) {
    return static_cast<unsigned char>(text[i + k]);
  };
  const unsigned char lead = byte(0);
  size_t length = 0;
  uint32_t min = 0;
  if (lead < 0x80) {
    *cp = lead;
    return 1;
  } else if ((lead & 0xe0) == 0xc0) {
    length = 2;
    min = 0x80;
    *cp = lead & 0x1f;
  } else if ((lead & 0xf0) == 0xe0) {
    length = 3;
    min = 0x800;
    *cp = lead & 0x0f;
  } else if ((lead & 0xf8) == 0xf0) {
    length = 4;
    min = 0x10000;
    *cp = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(k) & 0xc0) != 0x80) return 0;
    *cp = (*cp << 6) | (byte(k) & 0x3f);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid.
  if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff)) {
    return 0;
  }
  return length;
}

bool IsControl(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

}  // namespace

std::string Printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    const size_t length = DecodeUtf8(text, i, &cp);
    if (length == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      if (IsControl(cp)) {
        out.push_back(' ');
      } else {
        out.append(text.data() + i, length);
      }
      i += length;
    }
  }
  return out;
}

const ObjectInfo* PrintableContext::Object(ObjectId id) const {
  auto it = objects_.find(id);
  if (it == objects_.end()) {
    const ObjectInfo* info = wrapped_.Object(id);
    if (info == nullptr) return nullptr;
    ObjectInfo copy = *info;
    copy.name = Printable(copy.name);
    copy.class_name = Printable(copy.class_name);
    copy.created.file = Printable(copy.created.file);
    copy.created.function = Printable(copy.created.function);
    it = objects_.emplace(id, std::move(copy)).first;
  }
  return &it->second;
}

const ThreadInfo* PrintableContext::Thread(ThreadId id) const {
  auto it = threads_.find(id);
  if (it == threads_.end()) {
    const ThreadInfo* info = wrapped_.Thread(id);
    if (info == nullptr) return nullptr;
    ThreadInfo copy = *info;
    copy.name = Printable(copy.name);
    it = threads_.emplace(id, std::move(copy)).first;
  }
  return &it->second;
}

std::vector<Frame> PrintableContext::Stack(StackId id) const {
  std::vector<Frame> frames = wrapped_.Stack(id);
  for (Frame& frame : frames) {
    frame.function = Printable(frame.function);
    frame.file = Printable(frame.file);
    frame.module = Printable(frame.module);
  }
  return frames;
}

}  // namespace lockscope::collector
