"""The cases part of the demo world (registered with network.demo)."""

from network import demo


def seed_cases(context: demo.DemoContext) -> None:
    pass


demo.register(20, "cases", seed_cases)
