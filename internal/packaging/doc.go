// Package packaging holds no code: its tests check that the Dockerfile and
// metadata.yaml at the repository root agree with each other and with what
// Airbyte requires of a connector image (CAT's test_image_labels and
// test_image_environment_variables, the platform's `sh -c` launch and uid
// 1000, and the metadata schema), without needing a Docker engine; and that
// the tree itself tracks no binary and ignores synced data, credentials and
// build output (tree_test.go).
package packaging
