"""`python -m dcgan.report <sweep folder>`."""

from dcgan.report.cli import main

raise SystemExit(main())
