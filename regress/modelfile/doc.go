// Package modelfile reads and writes model files: a linear model's weight
// and bias for raw inputs, the standardisation it was trained with and the
// column names, in the safetensors layout (so Python's safetensors and
// PyTorch's load_state_dict take the file as it is), with a format version
// and a CRC-32. Load also reads a plain safetensors file of nn.Linear's
// state_dict as PyTorch saves it.
//
// Save writes a File atomically (a crash leaves the old file or the new one);
// Load and Decode check every length against the file's size before
// allocating, and refuse a file over MaxFile or a header over MaxHeader.
// A file that is not a model file is a *FormatError naming the file and what
// is wrong. Package regress makes a File from a trained model
// (regress.Linear.File) and turns one back into a model
// (regress.LinearFromFile).
//
// The same container holds stats files: a least-squares accumulator's
// state (a regress.QRState and the column names, see Stats), which a device
// sends instead of its rows, so that a merge of many (regress.QR.Merge)
// solves over all of them. SaveStats, LoadStats and DecodeStats write and
// read them with the same atomic writes, limits, CRC-32 and FormatError.
// Refinement files (Refinement: a regress.QRRefinementState and the column
// names) carry the optional second round of such a merge.
package modelfile
