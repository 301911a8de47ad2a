# Trace file I/O (collector/trace/): writer, reader and loader. They link
# lockscope_trace_io only.
lockscope_unit_test(trace_writer_test
  SOURCES collector/trace/trace_writer_test.cc
  LIBS lockscope_trace_io)
lockscope_unit_test(trace_reader_test
  SOURCES collector/trace/trace_reader_test.cc
  LIBS lockscope_trace_io)
# Creating output files: 0600, links and other users' files refused.
lockscope_unit_test(output_file_test
  SOURCES collector/trace/output_file_test.cc
  LIBS lockscope_trace_io)
# The hand-written EventBatch encoder: byte for byte what the generated
# code writes.
lockscope_unit_test(event_batch_encoder_test
  SOURCES collector/trace/event_batch_encoder_test.cc
  LIBS lockscope_trace_io)
# Raw frames of a killed process's findings, symbolized when loaded.
lockscope_unit_test(raw_frames_test
  SOURCES collector/trace/raw_frames_test.cc
  LIBS lockscope_trace_io)
