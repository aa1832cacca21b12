"""Copy the browser libraries the pages use from web/node_modules into web/static/vendor (ignored by git).

`make assets` runs `npm install` in web/ and then `python -m web.assets`. Each feature lists what it needs
in VENDOR_FILES: package -> files or folders inside that package. The studio and dashboard add their
packages (dmn-js, echarts, bpmn-js modeler files) here and in web/package.json.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

WEB = Path(__file__).resolve().parent
NODE_MODULES = WEB / "node_modules"
VENDOR = WEB / "static" / "vendor"

VENDOR_FILES: dict[str, list[str]] = {
    # The case page's diagram: the viewer bundle (global BpmnJS) and its CSS.
    "bpmn-js": ["dist/bpmn-viewer.production.min.js", "dist/assets/bpmn-js.css", "dist/assets/diagram-js.css",
                "dist/assets/bpmn-font",
                # The studio's modeler (global BpmnJS too; a page loads one bundle or the other).
                "dist/bpmn-modeler.production.min.js"],
    # The studio's decision-table editor (global DmnJS) and its CSS.
    "dmn-js": ["dist/dmn-modeler.production.min.js", "dist/assets"],
    # The supervisor dashboard's trend charts (global echarts).
    "echarts": ["dist/echarts.min.js"],
    # The API reference page (/api/docs): Swagger UI's prebuilt bundle and CSS (the package is its dist).
    "swagger-ui-dist": ["swagger-ui-bundle.js", "swagger-ui.css"],
}


def copy_assets(node_modules: Path = NODE_MODULES, vendor: Path = VENDOR) -> list[str]:
    """Copy every listed file; returns the problems (missing packages or files), empty when all went well."""
    problems: list[str] = []
    for package, entries in VENDOR_FILES.items():
        source_root = node_modules / package
        if not source_root.is_dir():
            problems.append(f"{package}: not installed (run npm install in web/)")
            continue
        for entry in entries:
            source = source_root / entry
            # dist/ is dropped so pages refer to vendor/<package>/<file>.
            target = vendor / package / Path(entry).relative_to("dist") if entry.startswith("dist/") \
                else vendor / package / entry
            if source.is_dir():
                shutil.copytree(source, target, dirs_exist_ok=True)
            elif source.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
            else:
                problems.append(f"{package}/{entry}: missing")
    return problems


def main() -> int:
    problems = copy_assets()
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if not problems:
        print(f"vendor files copied to {VENDOR.relative_to(WEB.parent)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
