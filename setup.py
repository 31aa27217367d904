"""recjax: LLMs as data augmenters for cold-start item recommendation, in JAX/Flax."""
import pathlib

import setuptools

here = pathlib.Path(__file__).parent
requirements = [line.strip() for line in (here / "requirements.txt").read_text().splitlines()
                if line.strip() and not line.startswith("#")]

setuptools.setup(
    name="recjax",
    version="0.1.0",
    description=__doc__,
    python_requires=">=3.11",
    packages=setuptools.find_packages(include=["recjax", "recjax.*"]),
    install_requires=requirements,
    extras_require={"test": ["pytest>=8", "chex>=0.1.87"]},
)
