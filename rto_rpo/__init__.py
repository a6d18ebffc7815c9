"""The shared RTO/RPO model: figures with sources, and the arithmetic."""
