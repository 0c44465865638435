"""`vodf` as a console command: runs the bundled binary with this process's arguments."""
import os
import sys

from . import _env, binary


def main():
    exe = str(binary())
    os.execve(exe, [exe, *sys.argv[1:]], _env())


if __name__ == "__main__":
    main()
