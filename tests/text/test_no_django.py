from __future__ import annotations

import subprocess
import sys


def test_importing_the_text_tools_does_not_import_django():
    code = (
        "import sys\n"
        "import miroir.text\n"
        "miroir.text.themes_for(['Attente en caisse'])\n"
        "loaded = sorted(name for name in sys.modules if name.split('.')[0] == 'django')\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
