// Package packaging holds no code: its tests check what Airbyte's registry
// and platform take from the repository root, without a Docker engine: the
// Dockerfile and metadata.yaml agree with each other and with what Airbyte
// requires of a connector image (CAT's test_image_labels and
// test_image_environment_variables, the platform's `sh -c` launch and uid
// 1000); metadata.yaml is valid against Airbyte's metadata schema (a copy in
// testdata); icon.svg; the docs page in Airbyte's format and its Changelog;
// the version the binary reports; and the README's and docs' tables and
// numbers against the code; and that the tree itself tracks no binary and
// ignores synced data, credentials and build output (tree_test.go).
package packaging
