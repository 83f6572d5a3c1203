"""Enterprise public profiles and accounts, notices and recall warnings, product pages,
printed codes, label images and the regulator's trace export."""
