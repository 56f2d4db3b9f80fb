// Package data supplies the rows a regress.Trainer learns from, as
// torch.utils.data does for PyTorch: a Dataset pairs input rows with target
// rows (TensorDataset), a Loader yields them in batches, in order or
// shuffled (DataLoader; a Permuter such as Orders replays a given order).
// Training goes over a Source: a Loader, or a Stream of chunks of rows read
// anew every pass, for data that does not fit in memory.
//
// The CSV side reads rows of numbers under a header row, in bounded memory
// whatever the input (MaxCSVRow, MaxCSVField, MaxCSVColumns): CSVReader reads
// them one row or one batch at a time, NewCSVInputReader reads inputs alone,
// with or without a header, for prediction; ReadTable loads a whole file
// (ErrTooLarge over the memory allowed), and CSVFile reads one in passes when
// it does not fit. CSVReader and CSVFile also read rows as float64 (Next64,
// ReadBatch64, Pass64), for statistics that float32 values would round.
// ParseNumber is the rule for values. Errors are *CSVError,
// with the file, line and column; errors.Is finds ErrCSVLimit in those over a
// limit of the reader.
package data
