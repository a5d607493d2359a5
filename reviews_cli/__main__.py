from reviews_cli.cli import run

run()
