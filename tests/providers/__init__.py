"""Tests of the provider adapters against local fake servers."""
