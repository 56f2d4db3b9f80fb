package data

// cropRows (as in package regress's tests) is the tutorial's data: temp, rainfall, humidity -> apples, oranges.
var cropRows = [][5]float32{
	{73, 67, 43, 56, 70}, {91, 88, 64, 81, 101}, {87, 134, 58, 119, 133}, {102, 43, 37, 22, 37}, {69, 96, 70, 103, 119},
	{74, 66, 43, 57, 69}, {91, 87, 65, 80, 102}, {88, 134, 59, 118, 132}, {101, 44, 37, 21, 38}, {68, 96, 71, 104, 118},
	{73, 66, 44, 57, 69}, {92, 87, 64, 82, 100}, {87, 135, 57, 118, 134}, {103, 43, 36, 20, 38}, {68, 97, 70, 102, 120},
}

func cropXY() (X, Y []float32) {
	for _, r := range cropRows {
		X = append(X, r[0], r[1], r[2])
		Y = append(Y, r[3], r[4])
	}
	return X, Y
}
