"""`python -m dcgan.race <sweep> [race.*=...] [budget.*=...]`."""

from dcgan.race.cli import main

raise SystemExit(main())
