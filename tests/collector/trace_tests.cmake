# Trace file I/O: writer, reader/loader and symbolizer.
lockscope_unit_test(trace_writer_test
  SOURCES collector/trace_writer_test.cc
  LIBS lockscope_collector)
lockscope_unit_test(trace_reader_test
  SOURCES collector/trace_reader_test.cc
  LIBS lockscope_collector)
lockscope_unit_test(symbolizer_test
  SOURCES collector/symbolizer_test.cc
  LIBS lockscope_collector)
# Creating output files: 0600, links and other users' files refused.
lockscope_unit_test(output_file_test
  SOURCES collector/output_file_test.cc
  LIBS lockscope_collector)
# Names from traces made safe for terminals (report text, viewer text).
lockscope_unit_test(printable_test
  SOURCES collector/printable_test.cc
  LIBS lockscope_collector)
