from carelint.cli import main

main()
