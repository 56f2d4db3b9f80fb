"""What a Python programmer would run on the file bigcsv writes: pandas reads
it, scikit-learn fits the least-squares solution of y1, y2 on the inputs.

    /usr/bin/python3 bigcsv/sklearn_fit.py big.csv
"""
import sys

import pandas as pd
from sklearn.linear_model import LinearRegression

df = pd.read_csv(sys.argv[1])
y = df[["y1", "y2"]].to_numpy()
X = df.drop(columns=["y1", "y2"]).to_numpy()
model = LinearRegression().fit(X, y)
print(f"rows {len(df)}, intercepts {model.intercept_}")
