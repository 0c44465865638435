// Debian keeps the serial HDF5 headers in hdf5/serial/ (they include each other with quotes).
#include <hdf5/serial/hdf5.h>
// HDF5's type and property "constants" are macros that call H5open(); Swift cannot
// import them, so they are re-exported as static inline functions.
static inline hid_t vk_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t vk_H5T_NATIVE_FLOAT(void)  { return H5T_NATIVE_FLOAT; }
static inline hid_t vk_H5T_NATIVE_INT32(void)  { return H5T_NATIVE_INT32; }
static inline hid_t vk_H5T_NATIVE_INT64(void)  { return H5T_NATIVE_INT64; }
static inline hid_t vk_H5T_NATIVE_UINT64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t vk_H5T_C_S1(void)          { return H5T_C_S1; }
static inline unsigned vk_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline hid_t vk_H5T_NATIVE_INT8(void)   { return H5T_NATIVE_INT8; }
static inline hid_t vk_H5P_DEFAULT(void)       { return H5P_DEFAULT; }
static inline hid_t vk_H5E_DEFAULT(void)       { return H5E_DEFAULT; }
static inline hid_t vk_H5S_ALL(void)           { return H5S_ALL; }
