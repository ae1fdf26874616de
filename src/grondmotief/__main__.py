from grondmotief.cli.app import main

main()
