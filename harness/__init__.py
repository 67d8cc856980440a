"""harness: an AWS-native integration-test harness for deployed web stacks."""

__version__ = "0.1.0"
