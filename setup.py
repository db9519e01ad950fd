"""nbdev 2 setup template: every piece of metadata comes from settings.ini.

Written without `pkg_resources`, which current setuptools no longer ships in pip's
isolated builds.
"""

from configparser import ConfigParser

import setuptools

cfg_parser = ConfigParser(delimiters=["="])
cfg_parser.read("settings.ini", encoding="utf-8")
cfg = cfg_parser["DEFAULT"]

expected = "version description keywords author author_email license git_url lib_name".split()
missing = [o for o in expected if o not in cfg]
if missing:
    raise SystemExit(f"settings.ini is missing: {', '.join(missing)}")

licenses = {"apache2": "Apache-2.0", "mit": "MIT"}  # SPDX expressions
statuses = ["Planning", "Pre-Alpha", "Alpha", "Beta", "Production/Stable", "Mature", "Inactive"]
py_versions = "3.10 3.11 3.12 3.13 3.14".split()

lic = licenses.get(cfg["license"].lower(), cfg["license"])
min_python = cfg["min_python"]
requirements = cfg.get("requirements", "").split()
extras = {
    key[: -len("_requirements")]: cfg[key].split()
    for key in cfg
    if key.endswith("_requirements") and cfg[key].strip()
}
extras["all"] = sorted({r for name, reqs in extras.items() if name != "dev" for r in reqs})
scripts = [s.strip() for s in cfg.get("console_scripts", "").split("\n") if s.strip()]
long_description = open("README.md", encoding="utf-8").read()

setuptools.setup(
    name=cfg["lib_name"],
    version=cfg["version"],
    license=lic,
    license_files=["LICENSE"],
    classifiers=[
        "Development Status :: " + statuses[int(cfg["status"])],
        "Intended Audience :: " + cfg["audience"].title(),
        "Natural Language :: " + cfg["language"].title(),
        "Framework :: Jupyter",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ]
    + ["Programming Language :: Python :: " + v for v in py_versions[py_versions.index(min_python) :]],
    url=cfg["git_url"],
    packages=setuptools.find_packages(include=["mlkit", "mlkit.*"]),
    include_package_data=True,
    package_data={"mlkit": ["data/*", "steps/*.ipynb", "templates/*"]},
    install_requires=requirements,
    extras_require=extras,
    python_requires=">=" + min_python,
    long_description=long_description,
    long_description_content_type="text/markdown",
    zip_safe=False,
    entry_points={"console_scripts": scripts},
    author=cfg["author"],
    author_email=cfg["author_email"],
    description=cfg["description"],
    keywords=cfg["keywords"],
)
