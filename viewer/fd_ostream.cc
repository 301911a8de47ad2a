#include "viewer/fd_ostream.h"

#include <unistd.h>

#include <cerrno>

namespace lockscope::viewer {

FdOstream::Buf::Buf(int fd) : fd_(fd) { setp(data_, data_ + sizeof(data_)); }

FdOstream::Buf::~Buf() {
  Drain();
  ::close(fd_);
}

bool FdOstream::Buf::Drain() {
  const char* p = pbase();
  while (!failed_ && p < pptr()) {
    const ssize_t n = ::write(fd_, p, static_cast<size_t>(pptr() - p));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      failed_ = true;
      break;
    }
    p += n;
  }
  setp(data_, data_ + sizeof(data_));
  return !failed_;
}

FdOstream::Buf::int_type FdOstream::Buf::overflow(int_type ch) {
  if (!Drain()) return traits_type::eof();
  if (!traits_type::eq_int_type(ch, traits_type::eof())) {
    *pptr() = traits_type::to_char_type(ch);
    pbump(1);
  }
  return traits_type::not_eof(ch);
}

int FdOstream::Buf::sync() { return Drain() ? 0 : -1; }

FdOstream::FdOstream(int fd) : std::ostream(nullptr), buf_(fd) {
  rdbuf(&buf_);
}

FdOstream::~FdOstream() { flush(); }

}  // namespace lockscope::viewer
