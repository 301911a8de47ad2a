// viewer/fd_ostream.h — an std::ostream over a file descriptor, for output
// files opened with collector::CreateOutputFile (std::ofstream cannot be
// told to refuse links or other users' files, nor to create 0600).
#ifndef LOCKSCOPE_VIEWER_FD_OSTREAM_H_
#define LOCKSCOPE_VIEWER_FD_OSTREAM_H_

#include <ostream>
#include <streambuf>

namespace lockscope::viewer {

// Buffers and write(2)s to `fd`, which it owns and closes. A failed write
// sets badbit on the stream; later output is discarded.
class FdOstream : public std::ostream {
 public:
  explicit FdOstream(int fd);
  ~FdOstream() override;
  FdOstream(const FdOstream&) = delete;
  FdOstream& operator=(const FdOstream&) = delete;

 private:
  class Buf : public std::streambuf {
   public:
    explicit Buf(int fd);
    ~Buf() override;

   protected:
    int_type overflow(int_type ch) override;
    int sync() override;

   private:
    bool Drain();
    int fd_;
    bool failed_ = false;
    char data_[1 << 16];
  };
  Buf buf_;
};

}  // namespace lockscope::viewer

#endif  // LOCKSCOPE_VIEWER_FD_OSTREAM_H_
