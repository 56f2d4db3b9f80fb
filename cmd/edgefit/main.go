// Command edgefit trains and runs linear regression models on the edgefit
// kernels.
package main

import (
	"fmt"

	"github.com/edgefit/edgefit"
)

func main() {
	fmt.Printf("edgefit kernels: %s (%s)\n", edgefit.Active().Name(), edgefit.Selection())
}
