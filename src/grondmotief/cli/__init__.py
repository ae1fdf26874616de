"""The Typer layer: parse, make one core call, render."""
