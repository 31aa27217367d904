"""recjax: LLMs as data augmenters for cold-start item recommendation, in JAX/Flax."""
