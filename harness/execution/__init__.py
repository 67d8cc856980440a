"""Following a Step Functions execution (local moto or AWS): progress and outcome from its
history events."""
